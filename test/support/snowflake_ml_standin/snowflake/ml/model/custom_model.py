"""Stand-in for snowflake.ml.model.custom_model (see ../../../README.md): the documented surface, checked."""
import functools
import inspect
import os


class ModelContext:
    """ModelContext(*, artifacts=None, models=None, **kwargs): named files (and sub-models) packed with a model."""

    def __init__(self, *, artifacts=None, models=None, **kwargs):
        files = dict(artifacts or {})
        for key, value in kwargs.items():
            if isinstance(value, str):
                files[key] = value
        for key, path in files.items():
            if not isinstance(key, str) or not isinstance(path, str):
                raise TypeError("ModelContext artifacts map names to file paths, got %r: %r" % (key, path))
            if not os.path.isfile(path):
                raise FileNotFoundError("ModelContext artifact %r: %s is not a file" % (key, path))
        self.artifacts = files
        self.model_refs = dict(models or {})

    def path(self, key):
        """The local path of an artifact (documented accessor)."""
        if key not in self.artifacts:
            raise KeyError("no artifact named %r (have %s)" % (key, sorted(self.artifacts)))
        return self.artifacts[key]

    def __getitem__(self, key):
        return self.artifacts[key] if key in self.artifacts else self.model_refs[key]


class CustomModel:
    """CustomModel(context=None): subclass it and decorate inference methods with @inference_api."""

    def __init__(self, context=None):
        if context is not None and not isinstance(context, ModelContext):
            raise TypeError("CustomModel(context) takes a ModelContext, got " + type(context).__name__)
        self.context = context if context is not None else ModelContext()

    def _inference_methods(self):
        return [name for name, member in inspect.getmembers(type(self)) if getattr(member, "_is_inference_api", False)]


def inference_api(func):
    """Marks a method `(self, df: pandas.DataFrame) -> pandas.DataFrame` as callable from SQL."""
    parameters = list(inspect.signature(func).parameters.values())
    if len(parameters) != 2:
        raise TypeError("@inference_api %s must take (self, input DataFrame), got %d parameters" % (func.__name__, len(parameters)))
    annotation = parameters[1].annotation
    if annotation is not inspect.Parameter.empty and getattr(annotation, "__name__", str(annotation)) not in ("DataFrame", "pd.DataFrame"):
        raise TypeError("@inference_api %s: the input must be annotated as a pandas DataFrame" % func.__name__)

    @functools.wraps(func)
    def wrapper(self, df):
        import pandas

        if not isinstance(df, pandas.DataFrame):
            raise TypeError("%s takes a pandas DataFrame" % func.__name__)
        out = func(self, df)
        if not isinstance(out, pandas.DataFrame):
            raise TypeError("%s must return a pandas DataFrame, got %s" % (func.__name__, type(out).__name__))
        if len(out) != len(df):
            raise ValueError("%s returned %d rows for %d" % (func.__name__, len(out), len(df)))
        return out

    wrapper._is_inference_api = True
    return wrapper
