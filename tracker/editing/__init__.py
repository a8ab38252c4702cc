"""Editing the inputs: saves that validate, keep a backup, audit and rebuild; the editors' password gate."""
