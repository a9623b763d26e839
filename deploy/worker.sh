#!/bin/sh
# One training worker of Keras Classroom's Dask cluster (README, "Past one machine").
#
#   KERAS_CLASSROOM_SCHEDULER=tcp://scheduler:8786 KERAS_CLASSROOM_DATA_DIR=/data \
#       deploy/worker.sh [more `dask worker` options, e.g. --name worker-1]
#
# Start one per training slot, on any machine that has this repository, its requirements
# (the same versions as the app's: Dask expects them to match) and the shared data directory
# mounted at the same path as on the app's replicas (a job writes under the path the app
# gave it). PYTHON names the interpreter (default python3).
set -eu
: "${KERAS_CLASSROOM_SCHEDULER:?set it to the Dask scheduler address, e.g. tcp://scheduler:8786}"
: "${KERAS_CLASSROOM_DATA_DIR:?set it to the data directory the app replicas share}"
repository="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repository"
# Jobs arrive as references to engine.* functions: the worker must import them by name.
export PYTHONPATH="$repository${PYTHONPATH:+:$PYTHONPATH}"
# The same workers as engine/runner.py's embedded ones: without Dask's nanny (its one-thread
# OpenMP setting made a lesson 3 run 1.8 times slower there), one job at a time, no memory
# limit; and Keras imported at start rather than in the first learner's run. Without a nanny
# nothing inside Dask restarts a worker that dies: restart it from outside (compose's
# `restart: unless-stopped`, the batch system of a university cluster).
# Dask's statistical profiler off, as engine/runner.py's QUIET_WORKERS: it samples the stack
# every 10 ms for a dashboard the app does not show.
export DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED="${DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED:-False}"
exec "${PYTHON:-python3}" -m distributed.cli.dask_worker "$KERAS_CLASSROOM_SCHEDULER" \
    --no-nanny --nthreads 1 --memory-limit 0 --preload keras "$@"
