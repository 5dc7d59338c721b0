"""`python -m accounts_center_demo start` — see launcher.py."""

from accounts_center_demo.launcher import main

if __name__ == "__main__":
    main()
