"""csdesk on a PostgreSQL server (issue 15): the second engine beside the SQLite file.

One module per concern, so what differs between the engines has one named place:
  target.py   recognising a server URL or libpq conninfo, and redacting its password (no psycopg)
  connect.py  connecting with psycopg 3, the server version check, errors a person understands
  sql.py      the thin dialect layer: `?` placeholders written once for both engines
  schema.py   the PostgreSQL DDL and its migrations table (`csdesk server init`)
  search.py   the search index queries on PostgreSQL (tsvector, btree ranges), beside the SQLite ones
  copy.py     `csdesk migrate --from FILE --to URL`: copy every table, then verify
"""
