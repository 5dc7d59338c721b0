"""What Chat, Pics and Social share: configuration, storage, accounts, sessions, pages and
the Accounts Center routes. Each app adds only its own features (``chat/``, ``pics/``,
``social/``) through ``family.app_factory.create_family_app``."""
