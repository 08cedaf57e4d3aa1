"""Component schemas of the API (JSON Schema 2020-12, as OpenAPI 3.1 uses them).

Request schemas are strict (``additionalProperties: false``, lengths that fit the database columns,
enums); the same dicts validate requests and are published in the OpenAPI document. Response
schemas describe what the serializers in ``webapp.api.serializers`` produce.

``common`` holds the building blocks (helpers, enums, ``Error``); ``filings`` the filings, cases and
tasks; ``catalogues_auth`` the occupations, textbooks and tokens; ``periodic`` the quarterly plans,
semiannual reports and notifications. Each module registers its components on import (``webapp.api``
imports them all); the OpenAPI document lists components sorted by name, so the order the modules are
imported in does not change it. Import a name from the module that defines it.
"""
