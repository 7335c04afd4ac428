"""Benchmark for financial assistance (issue 12): one monthly calculation of försörjningsstöd.

    PYTHONPATH=src .venv/bin/python bench/bench_assistance.py [--n 1000]

Times N calls of akta.assistance.services.calculate on the contract's example (contract-v2 §3:
two cohabiting adults, two children, two costs, a salary and barnbidrag, jobbstimulans) and on
a larger household (two adults, seven children in a home shared with two more, six costs, four
incomes), each from the JSON dict (validation included) to the result's dict with its lines.
The law data is loaded once before timing (it is cached per process, as in the service). No
database is used. Prints a markdown table with the mean and the p99 per calculation.
"""
import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "akta.settings")

import django  # noqa: E402

django.setup()

from akta.assistance.services import calculate  # noqa: E402

CONTRACT = {
    "month": "2021-03",
    "household": {"members": [{"role": "vuxen"}, {"role": "vuxen"}, {"role": "barn", "age": 4},
                              {"role": "barn", "age": 2, "lunch_at_preschool": False}],
                  "cohabiting": True, "shares_household_with": 0},
    "costs": {"boende": 5200, "hushallsel": 350},
    "income": [{"kind": "lon", "amount": 8000}, {"kind": "barnbidrag", "amount": 1250}],
    "consecutive_months_before": 7, "jobbstimulans_months_used": 0,
}
LARGE = {
    "month": "2019-11",
    "household": {"members": [{"role": "vuxen"}, {"role": "vuxen"}]
                  + [{"role": "barn", "age": a} for a in (0, 2, 3, 5, 9, 13, 19)],
                  "cohabiting": True, "shares_household_with": 2},
    "costs": {"boende": 9800, "hushallsel": 900, "arbetsresor": 850, "hemforsakring": 210, "fackavgift": 350,
              "a_kassa": 150},
    "income": [{"kind": "lon", "amount": 14001}, {"kind": "barnbidrag", "amount": 8000},
               {"kind": "bostadsbidrag", "amount": 3900}, {"kind": "underhallsstod", "amount": 1673}],
    "consecutive_months_before": 12, "jobbstimulans_months_used": 5,
}


def time_calls(facts, n):
    calculate(facts)  # warm: law data loaded
    times = []
    for _ in range(n):
        start = time.perf_counter()
        calculate(facts).as_dict()
        times.append(time.perf_counter() - start)
    times.sort()
    return statistics.mean(times) * 1000, times[int(len(times) * 0.99) - 1] * 1000


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1000)
    args = parser.parse_args(argv)
    print(f"| calculation ({args.n} calls) | mean ms | p99 ms |")
    print("|---|---|---|")
    worst = 0.0
    for name, facts in (("contract example (4 persons)", CONTRACT), ("9 persons, shared home", LARGE)):
        mean, p99 = time_calls(facts, args.n)
        worst = max(worst, mean)
        print(f"| {name} | {mean:.3f} | {p99:.3f} |")
    return 0 if worst <= 20 else 1


if __name__ == "__main__":
    sys.exit(main())
