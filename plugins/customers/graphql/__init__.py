"""GraphQL contribution of the ``customers`` plugin: types, queries, mutations (thin over the services)."""
