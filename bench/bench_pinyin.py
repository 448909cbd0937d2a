"""The pinyin input's cost on the terminal (kiosk.ui.pinyin_input): loading the shipped index on first use, the
memory it then holds, and the time from a letter typed to its candidates, over every prefix of words citizens
type at a service counter. Run in a child process so that the memory is the index's own."""

from __future__ import annotations

import multiprocessing
import resource
import statistics
import time

WORDS = ("shenfenzheng", "shehuibaoxian", "gongjijin", "tuixiu", "hukoubenshouye", "jiedaobanshichu", "yinhangka",
         "zhongguo", "xiaoqu", "dianhuahaoma", "yanglaojin", "yiliaobaoxian", "chushengzhengming", "zhuzhi")


def _measure(answer: multiprocessing.Queue) -> None:
    from kiosk.ui.pinyin_input import PinyinDictionary

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    dictionary = PinyinDictionary()
    started = time.perf_counter()
    dictionary.candidates("a")
    load_ms = (time.perf_counter() - started) * 1000
    held_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    times = []
    for _ in range(5):
        for word in WORDS:
            for n in range(1, len(word) + 1):  # each letter as it is typed
                started = time.perf_counter()
                dictionary.candidates(word[:n])
                times.append((time.perf_counter() - started) * 1000)
    answer.put((load_ms, held_mib, statistics.quantiles(times, n=100)[94], len(times)))


def run() -> list[dict]:
    context = multiprocessing.get_context("spawn")
    answer: multiprocessing.Queue = context.Queue()
    child = context.Process(target=_measure, args=(answer,))
    child.start()
    load_ms, held_mib, p95_ms, letters = answer.get(timeout=300)
    child.join()
    return [
        {"name": "pinyin input: index loaded on first use", "value": round(load_ms), "unit": "ms", "target": 500,
         "better": "lower"},
        {"name": "pinyin input: memory the index holds", "value": round(held_mib), "unit": "MiB", "target": 64,
         "better": "lower"},
        {"name": f"pinyin input: letter typed to candidates, p95 of {letters}", "value": round(p95_ms, 2),
         "unit": "ms", "target": 16.0, "better": "lower"},
    ]
