"""The demo learner made by seed_demo."""

from django.core.management import call_command

from quiz.models import Attempt


def test_seed_demo_creates_a_learner_with_history(mls, capsys):
    call_command("load_bank", verbosity=0)
    call_command("seed_demo")
    assert "Log in as demo / demo-pass-2026" in capsys.readouterr().out
    attempts = Attempt.objects.filter(user__username="demo")
    assert attempts.filter(mode="mock", state="submitted").count() == 4
    assert attempts.filter(mode="practice", state="submitted").count() == 2
    call_command("seed_demo", verbosity=0)
    assert Attempt.objects.filter(user__username="demo").count() == 6
