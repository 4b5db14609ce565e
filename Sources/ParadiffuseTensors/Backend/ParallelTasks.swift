import CDNNL
import CKernels

/// Runs `body` for every task in `0..<count` on oneDNN's OpenMP threads (see `pd_parallel_tasks`), each thread
/// claiming the next task; returns when all are done.
func parallelTasks(_ count: Int, _ body: (Int) -> Void) {
    withoutActuallyEscaping(body) { body in
        var task = body
        withUnsafeMutablePointer(to: &task) { pointer in
            pd_parallel_tasks(count, { context, index in
                context!.assumingMemoryBound(to: ((Int) -> Void).self).pointee(index)
            }, pointer)
        }
    }
}

/// Splits `rows` into one contiguous range per thread and runs `body` on each concurrently.
func parallelRows(_ rows: Int, minimumRowsPerTask: Int = 64, _ body: (Range<Int>) -> Void) {
    let tasks = min(computeThreads, max(1, rows / minimumRowsPerTask))
    if tasks == 1 { return body(0..<rows) }
    let perTask = (rows + tasks - 1) / tasks
    parallelTasks(tasks) { task in
        let start = task * perTask
        if start < rows { body(start..<min(rows, start + perTask)) }
    }
}

/// The number of threads the kernels and oneDNN run on.
var computeThreads: Int { Int(omp_get_max_threads()) }
