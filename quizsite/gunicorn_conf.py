"""gunicorn settings for every way the site is served: `make run` (bin/serve), the Docker image, bench/study.py.

(2 x cores) + 1 processes of gunicorn's default sync worker, one request at a time each (gunicorn's own advice).
Why not threads: a request that waits on the database gets the CPU back at once in its own process, while in a
threaded worker it first waits for the GIL behind its neighbours, so the requests that make the most queries
(study, quiz) suffer most; and gthread with one thread adds ~10 ms to every request at low load.
Measured with bench/study.py (16 learners, 2 cores, PostgreSQL), study/bare p50: 2 x 4 threads 1.38-1.52,
5 x gthread 1 thread 1.31-1.36, 5 sync 1.24-1.26 at the same 217-253 req/s. WEB_WORKERS / WEB_THREADS override
(more than one thread switches gunicorn to its gthread worker).
"""

import multiprocessing
import os

workers = int(os.environ.get("WEB_WORKERS") or 2 * multiprocessing.cpu_count() + 1)
threads = int(os.environ.get("WEB_THREADS") or 1)
