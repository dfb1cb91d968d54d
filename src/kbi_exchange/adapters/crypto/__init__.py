"""All of the product's cryptography on files: the development PKI and CMS (SPEC §8.3, §8.6)."""
