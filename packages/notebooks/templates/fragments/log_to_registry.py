def handler_file():
    """defectkit_handler.py, shipped beside this script (and the notebook) by `defectkit notebook emit`."""
    here = Path(globals()['__file__']).resolve().parent if '__file__' in globals() else Path.cwd()
    path = here / 'defectkit_handler.py'
    if not path.is_file():
        raise FileNotFoundError(f'{path}: missing; `defectkit notebook emit` writes defectkit_handler.py beside train.py')
    return path


def load_handler_module(path):
    """Imports the handler file under the name `defectkit_handler`."""
    import importlib.util
    spec = importlib.util.spec_from_file_location('defectkit_handler', str(path))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def sample_image_bytes(card):
    """A PNG of the model's input size: the image-bytes sample the registry infers the signature from."""
    import io
    from PIL import Image
    mode = 'L' if card['input']['channels'] == 1 else 'RGB'
    buffer = io.BytesIO()
    Image.new(mode, (card['input']['width'], card['input']['height']), 114).save(buffer, format='PNG')
    return buffer.getvalue()


def log_to_registry(session, out_dir, card, model_name, comment=None):
    """Logs model.onnx + model.json with DefectKit's model handler as a Model Registry custom model.

    `MODEL(...)!PREDICT(IMAGE)` then takes encoded image bytes and answers DETECTIONS (JSON: x1, y1, x2, y2,
    score, class_id, label in image pixels), WIDTH, HEIGHT and LABELS (classifiers' top-k), exactly like a
    model logged with `defectkit registry log`: both run the same defectkit_handler.py.
    """
    import pandas as pd
    from snowflake.ml.model import custom_model
    from snowflake.ml.registry import Registry

    class DefectKitModel(custom_model.CustomModel):
        def __init__(self, context):
            super().__init__(context)
            self._handler = None

        def __getstate__(self):
            state = dict(self.__dict__)
            state['_handler'] = None  # the onnxruntime session is rebuilt where the model runs
            return state

        @custom_model.inference_api
        def predict(self, df: pd.DataFrame) -> pd.DataFrame:
            if self._handler is None:
                module = load_handler_module(self.context.path('handler'))
                self._handler = module.Handler.from_files(self.context.path('onnx'), self.context.path('card'))
            return self._handler.predict_frame(df)

    context = custom_model.ModelContext(artifacts={
        'onnx': str(out_dir / 'model.onnx'), 'card': str(out_dir / 'model.json'), 'handler': str(handler_file())})
    sample = pd.DataFrame({'IMAGE': [sample_image_bytes(card)]})
    return Registry(session=session).log_model(
        DefectKitModel(context), model_name=model_name, version_name=f"V{time.strftime('%Y%m%d_%H%M%S')}",
        comment=comment, conda_dependencies=['numpy', 'onnxruntime', 'pandas', 'pillow'], sample_input_data=sample)
