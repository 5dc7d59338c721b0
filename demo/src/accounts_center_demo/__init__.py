"""Chat, Pics and Social: three small member apps of an Accounts Center.

Each app works on its own (its own SQLite database, accounts and sessions) and talks to the
hub only through ``accounts_center_sdk``. ``family/`` holds what the three share;
``launcher`` starts the hub and the apps with one command.
"""
