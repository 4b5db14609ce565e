#ifndef PARADIFFUSE_CKERNELS_PARALLEL_H
#define PARADIFFUSE_CKERNELS_PARALLEL_H

#include <stddef.h>

/// Runs `body(context, task)` for every task in [0, tasks) on the OpenMP threads oneDNN uses (libgomp's pool), each
/// thread claiming the next unclaimed task, and returns when all are done. Sharing oneDNN's threads keeps the
/// kernels between two oneDNN calls from competing with its still-spinning workers for the cores.
void pd_parallel_tasks(size_t tasks, void (*body)(void *context, size_t task), void *context);

#endif
