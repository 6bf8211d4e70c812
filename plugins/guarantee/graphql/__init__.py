"""GraphQL of the ``guarantee`` plugin, one module per area (``plugin.GRAPHQL_MODULES``); resolvers are thin and
call the service modules."""
