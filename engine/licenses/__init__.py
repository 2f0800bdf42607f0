"""Business licenses at the counter: a new business's application (the certificate's code is engine.workflow.license_codes)."""
