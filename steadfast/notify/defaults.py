"""What every shop starts with: the e-mail channel (Django's mail settings) and the two audience chains.
Used by a data migration, by delivery (a flushed or hand-emptied table gets its e-mail channel back) and tests."""

DEFAULT_EMAIL_PROVIDER = {"kind": "notify", "adapter": "email", "name": "E-mail", "priority": 100, "config": {}}


def notify_defaults_ensure(provider_model, chain_model):
    from steadfast.notify.chains import DEFAULT_CHAINS

    if not provider_model.objects.filter(kind="notify").exists():
        provider_model.objects.get_or_create(code="email", defaults=DEFAULT_EMAIL_PROVIDER)
    for name, channels in DEFAULT_CHAINS.items():  # audiences and the kinds with a chain of their own
        chain_model.objects.get_or_create(name=name, defaults={"channels": channels})
