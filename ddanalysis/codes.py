"""Codes shared by the registry and the official-data readers (a leaf module: it imports nothing)."""

#: DCLG authority classes: London borough, metropolitan district, unitary, shire county, shire district, other.
AUTHORITY_CLASSES = {"L", "MD", "UA", "SC", "SD", "O"}
