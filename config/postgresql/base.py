"""Django's PostgreSQL backend with a client-side limit on how long a query may wait for the server.

statement_timeout is enforced by the server, and connect_timeout only covers connecting: a server that has
stopped answering on an open connection (frozen, its disk hung, a network device that swallows packets)
would hold the request's thread for ever. psycopg 3 can bound each wait on the socket; here every query
gets DATABASE_READ_TIMEOUT seconds (settings.DATABASE_READ_TIMEOUT), after which the connection is closed
and the request gets an OperationalError, which the site answers with 503 "try again".
"""

import psycopg
from django.conf import settings
from django.db.backends.postgresql import base
from psycopg import errors

# psycopg 3.3 gives Connection.wait a timeout and raises _WaitTimeout when it runs out (pyproject pins >= 3.3;
# tests/hostile/test_backends.py fails if this stops working).
WAIT_TIMEOUT = getattr(errors, "_WaitTimeout", None)


class TimedConnection(psycopg.Connection):
    def wait(self, gen, interval=0.1, timeout=None):
        limit = timeout if timeout is not None else getattr(settings, "DATABASE_READ_TIMEOUT", None)
        try:
            return super().wait(gen, interval=interval, timeout=limit)
        except WAIT_TIMEOUT as error:
            self.pgconn.finish()  # the protocol is mid-exchange: this connection cannot be used again
            raise psycopg.OperationalError(f"the database did not answer within {limit:g} s") from error


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        if type(connection) is psycopg.Connection and WAIT_TIMEOUT is not None:
            connection.__class__ = TimedConnection
        return connection
