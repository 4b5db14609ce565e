#include "CKernelsParallel.h"

/* libgomp's entry points (the ABI its `#pragma omp parallel` compiles to), so no OpenMP compiler flag is needed. */
extern void GOMP_parallel(void (*fn)(void *), void *data, unsigned num_threads, unsigned flags);
extern int omp_get_max_threads(void);

typedef struct {
    size_t tasks;
    size_t next;
    void (*body)(void *, size_t);
    void *context;
} task_queue;

static void claim_tasks(void *data) {
    task_queue *queue = data;
    size_t task;
    while ((task = __atomic_fetch_add(&queue->next, 1, __ATOMIC_RELAXED)) < queue->tasks)
        queue->body(queue->context, task);
}

void pd_parallel_tasks(size_t tasks, void (*body)(void *context, size_t task), void *context) {
    size_t threads = (size_t)omp_get_max_threads();
    if (threads > tasks) threads = tasks;
    if (threads <= 1) {
        for (size_t task = 0; task < tasks; task++) body(context, task);
        return;
    }
    task_queue queue = {tasks, 0, body, context};
    GOMP_parallel(claim_tasks, &queue, (unsigned)threads, 0);
}
