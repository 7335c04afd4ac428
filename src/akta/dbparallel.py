"""Independent read-only queries on parallel database connections.

Each PostgreSQL query runs on one core; a whole-municipality report made of many independent
queries (the deadline rules, the indicators of a committee pack) finishes sooner when they run
on a few connections at once. :func:`run` does that with threads, each on its own connection.

It runs the tasks one after the other, on the caller's connection, when

* the database is SQLite (one writer, and little to gain on the embedded database), or
* the caller is inside a transaction: other connections cannot see its uncommitted rows.

Outside a transaction each query sees the rows committed when it starts, in parallel or not.
"""
from __future__ import annotations

import queue
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

from django.db import connection, connections


def possible(workers: int) -> bool:
    return workers > 1 and connection.vendor == "postgresql" and not connection.in_atomic_block


def run(tasks: Sequence[Callable], workers: int, prepare: Callable | None = None) -> list:
    """The results of calling each of ``tasks`` (in their order).

    In parallel (see the module docstring) ``workers`` threads take the tasks in the given
    order, so put the longest first. ``prepare(cursor)`` runs once on each thread's connection.
    """
    if not possible(workers) or len(tasks) < 2:
        return [task() for task in tasks]
    results = [None] * len(tasks)
    todo = queue.SimpleQueue()
    for i in range(len(tasks)):
        todo.put(i)

    def work():  # in a worker thread, on its own connection: the next task until none is left
        try:
            if prepare is not None:
                with connection.cursor() as cur:
                    prepare(cur)
            while True:
                try:
                    i = todo.get_nowait()
                except queue.Empty:
                    return
                results[i] = tasks[i]()
        finally:
            connections.close_all()  # this thread's connections only

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for future in [pool.submit(work) for _ in range(min(workers, len(tasks)))]:
            future.result()
    return results
