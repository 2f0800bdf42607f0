"""Business licenses at the counter: a new business's application, and the certificate's verification code."""
