"""`ordinance demo`'s phase lines: a slow phase (indexes built in seconds each) says its rate, not 0/s."""
from webapp.cli.demo import PhaseReport, rate_text


def test_rates_at_every_size_say_something():
    assert rate_text(1441.2) == "1,441/s"
    assert rate_text(10.0) == "10/s"
    assert rate_text(0.342) == "0.342/s"
    assert rate_text(2.5) == "2.5/s"


def test_a_phase_line_names_its_count_time_and_rate(capsys):
    report = PhaseReport()
    report("keys", 0, 69)
    report.started -= 201.8  # the phase began 201.8 s ago
    report("keys", 69, 69)
    line = capsys.readouterr().out.strip()
    assert line.startswith("Indexes built and foreign keys checked (PostgreSQL): 69 in 201.8 s (0.342/s)")
