def script_argv():
    """The command-line flags when this file runs as a script, else none.

    A notebook kernel (ipykernel, Snowflake's or any other) and a module import have an argv of their own that is not
    ours, and no `__file__` in the cell's namespace: the emitted CONFIG is then all there is.
    """
    if __name__ != '__main__' or '__file__' not in globals() or not sys.argv:
        return []
    here = os.path.realpath(globals()['__file__'])
    return sys.argv[1:] if os.path.realpath(sys.argv[0]) == here else []
