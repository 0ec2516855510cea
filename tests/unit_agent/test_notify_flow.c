/* The flow control and confirmation of notifications (agent/notify_flow.c,
 * issue 9.1/9.2): a window of Notify PDUs awaiting a Response; a notice
 * confirmed only by the master's answer (to it or to a later one on the
 * same session); what was not confirmed is written again after a
 * re-registration -- except when it was left with a master that did not
 * close the connection and is still the same process. */
#include "notify_flow.h"

#include "cu_main.h"

static exc_nflow f;

static void write_upto(uint64_t last)
{
    for (uint64_t s = f.written + 1; s <= last; s++) {
        CU_ASSERT_TRUE_FATAL(exc_nflow_may_send(&f, s));
        exc_nflow_written(&f, s);
    }
}

static void test_window(void)
{
    exc_nflow_init(&f);
    write_upto(EXC_NFLOW_WINDOW);
    CU_ASSERT_FALSE(exc_nflow_may_send(&f, EXC_NFLOW_WINDOW + 1));   /* full */
    CU_ASSERT_EQUAL(exc_nflow_answered(&f, 1, true), 1);
    CU_ASSERT_TRUE(exc_nflow_may_send(&f, EXC_NFLOW_WINDOW + 1));    /* one more */
    CU_ASSERT_FALSE(exc_nflow_may_send(&f, 1));                      /* never again */
    CU_ASSERT_EQUAL(f.sent, 1);
}

static void test_cumulative(void)
{
    exc_nflow_init(&f);
    write_upto(5);
    CU_ASSERT_EQUAL(exc_nflow_answered(&f, 3, true), 3);   /* 1, 2 handled before 3 */
    CU_ASSERT_EQUAL(f.sent, 3);
    CU_ASSERT_EQUAL(f.n, 2);
    CU_ASSERT_EQUAL(exc_nflow_answered(&f, 4, false), 4);  /* refused: dropped, not sent */
    CU_ASSERT_EQUAL(f.sent, 3);
    CU_ASSERT_EQUAL(f.failed, 1);
    exc_nflow_timed_out(&f);                               /* 5: no Response... */
    CU_ASSERT_EQUAL(f.live, 2);                            /* 1 and 2 still await theirs */
    CU_ASSERT_EQUAL(f.confirmed, 4);                       /* ...so not confirmed */
    write_upto(6);
    CU_ASSERT_EQUAL(exc_nflow_answered(&f, 6, true), 6);   /* a later answer confirms it */
    CU_ASSERT_EQUAL(f.sent, 5);
}

static void test_master_closed(void)
{
    exc_nflow_init(&f);
    write_upto(10);
    exc_nflow_answered(&f, 4, true);
    exc_nflow_session_lost(&f, true);   /* the master went: 5..10 unconfirmed */
    CU_ASSERT_EQUAL(exc_nflow_session_back(&f, true), 4);
    CU_ASSERT_EQUAL(f.sent, 4);
    CU_ASSERT_TRUE(exc_nflow_may_send(&f, 5));   /* written again, in order */
    write_upto(10);
    CU_ASSERT_EQUAL(exc_nflow_answered(&f, 10, true), 10);
    CU_ASSERT_EQUAL(f.sent, 10);                 /* each counted once */
}

static void test_left_with_frozen_master(void)
{
    exc_nflow_init(&f);
    write_upto(8);
    exc_nflow_timed_out(&f);
    exc_nflow_session_lost(&f, false);   /* given up: the master still has them */
    CU_ASSERT_EQUAL(exc_nflow_session_back(&f, true), 8);   /* same master: handled */
    CU_ASSERT_EQUAL(f.sent, 8);
    CU_ASSERT_FALSE(exc_nflow_may_send(&f, 8));
    CU_ASSERT_TRUE(exc_nflow_may_send(&f, 9));
}

static void test_left_with_master_that_died(void)
{
    exc_nflow_init(&f);
    write_upto(8);
    exc_nflow_session_lost(&f, false);
    CU_ASSERT_EQUAL(exc_nflow_session_back(&f, false), 0);   /* another master */
    CU_ASSERT_EQUAL(f.sent, 0);
    CU_ASSERT_TRUE(exc_nflow_may_send(&f, 1));               /* all written again */
}

static void test_track_bound(void)
{
    exc_nflow_init(&f);
    for (uint64_t s = 1; s <= EXC_NFLOW_TRACK; s++) {
        CU_ASSERT_TRUE_FATAL(exc_nflow_may_send(&f, s));
        exc_nflow_written(&f, s);
        exc_nflow_timed_out(&f);   /* a master that stopped answering */
    }
    CU_ASSERT_FALSE(exc_nflow_may_send(&f, EXC_NFLOW_TRACK + 1));   /* nothing more to it */
}

void exc_register_tests(void)
{
    CU_pSuite s = CU_add_suite("notify_flow", NULL, NULL);
    CU_add_test(s, "window of Notify PDUs awaiting a Response", test_window);
    CU_add_test(s, "answers confirm cumulatively; refusals and timeouts", test_cumulative);
    CU_add_test(s, "master closed: unconfirmed written again, in order", test_master_closed);
    CU_add_test(s, "given up on a frozen master that comes back: not again",
                test_left_with_frozen_master);
    CU_add_test(s, "given up, another master: written again", test_left_with_master_that_died);
    CU_add_test(s, "unconfirmed notices bounded", test_track_bound);
}
