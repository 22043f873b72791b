"""The pure domain: standard library only. Rules take values (and `today`), never I/O."""
