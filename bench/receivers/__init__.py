"""Push receivers compared in the throughput benchmark, each runnable as a script.

Every script takes ``--port``, binds 127.0.0.1 and prints ``READY <port>`` once it
accepts connections, so the harness never sleeps waiting for it.
"""
