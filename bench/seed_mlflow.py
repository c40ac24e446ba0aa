#!/usr/bin/env python3
"""Seeds an MLflow SQLite store with the benchmark's data set through MLflow's own client
(so the rows are the ones MLflow writes):

    seed_mlflow.py --db store.db --models 500 --per-model 3

Model m is "model-<m>"; its versions are MLflow's numbers 1..per_model; version i (0-based,
across models) has tags team=team-<i % 10> and batch=<i // 100>, as in generate_store.py.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--models", type=int, required=True)
    parser.add_argument("--per-model", type=int, default=3)
    args = parser.parse_args()
    logging.getLogger("mlflow").setLevel(logging.WARNING)
    from mlflow import MlflowClient

    uri = f"sqlite:///{args.db}"
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    started = time.time()
    for m in range(args.models):
        client.create_registered_model(f"model-{m}", description=f"bench model {m}")
        for k in range(args.per_model):
            i = m * args.per_model + k
            client.create_model_version(f"model-{m}", f"s3://bench/model-{m}/v{k}", description=f"bench version {i}",
                                        tags={"team": f"team-{i % 10}", "batch": str(i // 100)})
        if m % 50 == 49:
            print(f"\r  mlflow seed: {m + 1}/{args.models} models ({time.time() - started:.0f}s)", end="",
                  file=sys.stderr, flush=True)
    print(file=sys.stderr)


if __name__ == "__main__":
    main()
