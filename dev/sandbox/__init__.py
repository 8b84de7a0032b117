"""The sandbox inbox: a local respond.io-compatible inbox for the demo and the tests.

``sandbox.server.running_sandbox(settings)`` runs it in-process and yields its base URL (the API is
under ``/v2``, the sandbox's own routes under ``/sandbox``); ``sandbox.server.main()`` serves it alone.
"""
