/* act.h - activation functions, forward and backward, over (B, n) row-major buffers. */
#ifndef DS_ACT_H
#define DS_ACT_H

typedef enum activation {
    ACT_LINEAR,
    ACT_SIGMOID,
    ACT_TANH,
    ACT_RELU,
    ACT_LEAKY_RELU, /* negative slope 0.01, as torch.nn.LeakyReLU */
    ACT_SOFTMAX,    /* over each row */
    ACT_COUNT
} activation;

#define LEAKY_RELU_SLOPE 0.01f

const char *act_name(activation a);
/* 0 and *out set when name is known; -1 otherwise. */
int act_parse(const char *name, activation *out);
/* "linear, sigmoid, tanh, relu, leaky_relu, softmax", made from the same table as act_name. */
const char *act_names_list(void);

/* a = f(z) */
void act_forward(activation f, float *restrict a, const float *restrict z, int rows, int n);
/* dz = da * f'(z) (softmax: the full Jacobian-vector product per row). Written, not added. */
void act_backward(activation f, float *restrict dz, const float *restrict da,
                  const float *restrict z, const float *restrict a, int rows, int n);

/* f'(z) of one element, given z and a = f(z): what act_backward multiplies da by, in double
 * (the narration shows it). NaN for softmax, whose derivative is a Jacobian per row. */
double act_derivative(activation f, double z, double a);

float sigmoidf_stable(float z);
float act_tanh(float z); /* the tanh act_forward uses, for one value */

#endif
