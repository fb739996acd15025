/* test_app.h - setting up the UI's model for a test, as the front end does. */
#ifndef DS_TEST_APP_H
#define DS_TEST_APP_H

#include "test_common.h"
#include "ui/app.h"

/* A lesson opened on a terminal of w x h, as the front end does. */
static inline void open_at(app *a, const char *path, int w, int h)
{
    app_init(a);
    ds_error err = {0};
    assert_int_equal(app_open_lesson(a, path, &err), 0);
    app_resize(a, w, h);
}

#endif
