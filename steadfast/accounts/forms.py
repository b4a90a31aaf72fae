import logging

from anymail.exceptions import AnymailError
from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from steadfast.notify.sender import shop_email

User = get_user_model()
logger = logging.getLogger("django.contrib.auth")


class EmailLoginForm(AuthenticationForm):
    """Customers log in with their e-mail address, which is also their username."""

    username = forms.EmailField(
        label=_("E-mail"), widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )

    def clean_username(self):
        return self.cleaned_data["username"].strip().lower()


class SignupForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail"), max_length=150, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password1 = forms.CharField(label=_("Password"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                help_text=password_validation.password_validators_help_text_html())
    password2 = forms.CharField(label=_("Password again"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean_email(self):
        # Whether the address has an account is never said here: the answer goes to that mailbox (views.signup).
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords do not match."))
        elif first and data.get("email"):
            try:
                password_validation.validate_password(first, User(username=data["email"], email=data["email"]))
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data

    def existing_user(self):
        email = self.cleaned_data["email"]
        return (User.objects.filter(username__iexact=email).first()
                or User.objects.filter(email__iexact=email).first())

    def save(self):
        """A new account starts inactive; the link sent to the address activates it (accounts.views.activate)."""
        email = self.cleaned_data["email"]
        user = User.objects.create_user(username=email, email=email, password=self.cleaned_data["password1"])
        user.is_active = False
        user.save(update_fields=["is_active"])
        return user


class OrderLookupForm(forms.Form):
    number = forms.CharField(label=_("Order number"), max_length=20,
                             widget=forms.TextInput(attrs={"placeholder": "SF-000123", "autocomplete": "off"}))
    email = forms.EmailField(label=_("E-mail used for the order"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class ShopPasswordResetForm(PasswordResetForm):
    """Django's reset e-mail, but from the shop and answered to the shop like every other e-mail it sends."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email,
                  html_email_template_name=None):
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        message = shop_email(subject, render_to_string(email_template_name, context), [to_email])
        if html_email_template_name is not None:
            message.attach_alternative(render_to_string(html_email_template_name, context), "text/html")
        try:
            message.send()
        except (OSError, AnymailError):  # SMTP, connection or ESP trouble (a refused address too): logged as
            # Django does, so no page tells who has an account
            logger.exception("Failed to send password reset email to %s", context["user"].pk)
