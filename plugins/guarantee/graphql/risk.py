"""GraphQL of this area of the ``guarantee`` plugin: ``QUERIES`` and ``MUTATIONS`` are strawberry types whose fields
join the schema's Query and Mutation; ``TYPES`` are extra types to register."""

QUERIES: tuple = ()
MUTATIONS: tuple = ()
TYPES: tuple = ()
