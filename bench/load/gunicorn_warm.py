"""gunicorn config for the load test (bench/bench_load.py --warm): each worker, once started,
computes the whole municipality's deadline snapshot (akta.deadlines.worklist, ~3 s on `large`)
in a thread, as a server that has been up for a while has it, and then writes a marker file in
$AKTA_WARM_DIR so that the bench starts its users on warm workers. Without it the first
worklist a worker serves computes the snapshot."""
import os
import threading


def post_worker_init(worker):
    def warm():
        from django.db import connection
        from django.utils import timezone

        from akta.deadlines import worklist

        try:
            worklist.deadlines_for(None, timezone.localdate())
        finally:
            connection.close()
            marker = os.path.join(os.environ["AKTA_WARM_DIR"], str(os.getpid()))
            with open(marker, "w") as f:
                f.write("warm\n")

    threading.Thread(target=warm, daemon=True).start()
