def test_the_repository_does_not_track_a_virtualenv_symlink():
    """Commit 3399c98 added .venv (a symlink to /work/main/.venv) to git. Checked out in /work/main itself it
    points at itself, so `.venv/bin/python` fails with "Too many levels of symbolic links" (seen at 22:06)."""
    import subprocess

    from tests.deployment.servers import BASE_DIR

    tracked = subprocess.run(
        ["git", "ls-files", "--", ".venv"], cwd=BASE_DIR, capture_output=True, text=True, timeout=10, check=True
    ).stdout.split()
    assert tracked == [], f"tracked in git: {tracked}"
