class StepFailed(Exception):
    """A step of the synthetic checkout did not answer as a shopper would need: the run stops there, named."""

    def __init__(self, step, detail):
        super().__init__(f"{step}: {detail}")
        self.step, self.detail = step, detail
