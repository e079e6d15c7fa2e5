"""What every browser story does first: log in as a demo account."""

DEMO_PASSWORD = "demo-pass-2015"


def login(page, live_server, username: str) -> None:
    """Log in through the login page and wait until it has moved on."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
