"""A process builds its settings, clients and services once, and forgets them all on one call."""

from __future__ import annotations

import threading

from boletin.built import built_once, forget_built


def test_a_builder_builds_once_even_when_threads_race_and_anew_after_forget_built() -> None:
    # Given a builder whose factory counts its calls and is slow enough for threads to race
    calls: list[int] = []
    started = threading.Barrier(8)

    def make() -> object:
        calls.append(1)
        return object()

    service = built_once(make)

    def ask(results: list[object]) -> None:
        started.wait()
        results.append(service())

    # When eight threads ask for it at once
    results: list[object] = []
    threads = [threading.Thread(target=ask, args=(results,)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then it was built once and all of them got the same object
    assert len(calls) == 1
    assert all(result is results[0] for result in results)

    # And after forget_built() the next call builds a new one
    forget_built()
    assert service() is not results[0]
    assert len(calls) == 2
