"""gunicorn settings for jobclass: a CPU-bound model served by a few preloaded sync workers.

Every value can be overridden by the usual GUNICORN_CMD_ARGS or by the JOBCLASS_* variables below.
"""
import multiprocessing
import os

bind = os.environ.get("JOBCLASS_BIND", "127.0.0.1:8000")
# CPU-bound work: one worker per core (+1 to overlap I/O), no threads fighting over the GIL.
workers = int(os.environ.get("JOBCLASS_WORKERS", multiprocessing.cpu_count() + 1))
worker_class = "sync"
# Load the app (and the model) once in the master; forked workers share its memory pages.
preload_app = True
# A single ad takes milliseconds; 30 s means something is stuck, so the worker is recycled.
timeout = int(os.environ.get("JOBCLASS_TIMEOUT", 30))
# On SIGTERM, workers finish the requests they accepted before exiting (no request is lost).
graceful_timeout = int(os.environ.get("JOBCLASS_GRACEFUL_TIMEOUT", 30))
keepalive = 5
backlog = 2048
# Guard against slow clients and oversized headers before Flask sees the request.
limit_request_line = 8190
limit_request_fields = 100
accesslog = None  # the app writes its own JSON access log line per request
errorlog = "-"
loglevel = os.environ.get("JOBCLASS_GUNICORN_LOGLEVEL", "info")
proc_name = "jobclass"


def on_reload(server):
    """SIGHUP: load the current artifact in the master before gunicorn forks fresh workers.

    With preload_app the workers are forks of the master, so reloading there gives every new
    worker the new model (shared pages). If the new artifact fails verification, the master keeps
    the old model and the new workers serve it: a bad artifact never takes the service down.
    """
    app = server.app.wsgi()
    ok, message = app.extensions["jobclass_model"].reload()
    server.log.info("SIGHUP model reload: %s", message)
