"""Connecting a Wix site, as the merchant does it: through the wixoms app (each auth flow of the
deployment) and through the merchant's own Wix app (Helm's way); and deleting the channel."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

from playwright.sync_api import expect

from tests.browser.journey.machinery import settled
from tests.browser.journey.stack import ADMIN_EMAIL

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)
CHANNEL = "Acme Wix Store"
# The deployment's Wix auth flows the merchant connects through (the main run uses the first);
# then the merchant's own Wix app (Helm's way, issue 16), whose result is custom_app_connected.
CONNECT_FLOWS: tuple[str, ...] = ("oauth", "legacy")


class ConnectSteps:
    """Mixed into Journey."""

    def connect(self, flow: str, timed: bool = False, again: bool = False) -> None:
        tag = f"{flow}{' again' if again else ''}"
        with self.clock() as elapsed:
            ok = all(
                (
                    self.step(
                        f"{tag}: Add Wix channel (App Market, second site, allow)", self.add_channel
                    ),  # fmt: skip
                    self.step(f"{tag}: catalog version", self.catalog_version),
                    self.step(f"{tag}: account", self.account),
                    self.step(f"{tag}: name and logo, Save", self.name_and_save),
                )
            )
            took = elapsed()
        self.connected[flow] = ok
        if timed and ok:
            self.measured["connect_s"] = took

    def connect_custom_app(self) -> None:
        """Helm's way: the merchant creates an app in Wix's Custom Apps, pastes wixoms' URLs
        into it and its credentials into wixoms, authorises, and sees every permission granted."""
        self.connected["custom"] = all(
            (
                self.step("custom: create an app in Wix (Custom Apps)", self.create_wix_app),
                self.step("custom: Use your own Wix app, authorise in Wix", self.use_own_app),
                self.step("custom: catalog version, all permissions granted", self.all_granted),
                self.step("custom: account", self.account),
                self.step("custom: name and logo, Save", self.name_and_save),
            )
        )

    def create_wix_app(self) -> None:
        wix = self.wix_tab = self.page.context.new_page()
        wix.goto(f"{self.wix.url}/dev/custom-apps")
        wix.get_by_label("App name").fill("Helm connector")
        wix.get_by_role("button", name="Save & Continue").click()
        for box in wix.get_by_role("checkbox").all():
            box.check()
        wix.get_by_role("button", name="Save permissions").click()
        expect(wix.get_by_text("Saved.").first).to_be_visible()
        self.look(wix, "wix custom app")
        self.custom_app = {
            label: wix.get_by_label(label, exact=True).input_value()
            for label in ("App ID", "App Secret Key", "Public key")
        }

    def use_own_app(self) -> None:
        page, wix = self.page, self.wix_tab
        assert wix is not None, "the app was not created in Wix"
        self.open("/channels/")
        page.get_by_role("button", name="Add Wix channel").first.click()
        page.get_by_role("link", name="Use your own Wix app").click()
        settled(page)
        self.look(page, "use your own wix app")
        for label in ("App URL", "Redirect URL"):
            wix.get_by_label(label, exact=True).fill(
                page.get_by_label(label, exact=True).input_value()
            )
        hooks = f"{self.stack.app_url}/hooks/wix/{self.custom_app['App ID']}"
        wix.get_by_label(re.compile("^Callback URL")).fill(hooks)
        wix.get_by_role("button", name="Save", exact=True).click()
        expect(wix.get_by_text("Saved.").first).to_be_visible()
        wix.close()
        for label, value in self.custom_app.items():
            page.get_by_label(label, exact=True).fill(value)
        page.get_by_role("button", name="Authorise in Wix").click()
        settled(page)
        site = page.get_by_role("radio", name=re.compile("Second Shop"))
        if site.count():
            site.check()
            page.get_by_role("button", name="Continue").click()
        page.get_by_role("button", name="Allow & Install").click()
        page.wait_for_url(f"{self.stack.app_url}/wizard/**")
        settled(page)

    def all_granted(self) -> None:
        expect(self.page.get_by_text("All granted").first).to_be_visible()
        self.catalog_version()

    def log_in(self) -> None:
        page = self.page
        page.goto(f"{self.stack.app_url}/login")
        page.get_by_label("Email").fill(ADMIN_EMAIL)
        page.get_by_label("Password").fill(self.stack.password)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

    def add_channel(self) -> None:
        page = self.page
        self.open("/channels/")
        page.get_by_role("button", name="Add Wix channel").first.click()
        self.look(page, "connect your wix site")
        page.get_by_role("button", name="Continue to Wix").click()
        page.get_by_role("radio", name=re.compile("Second Shop")).check()
        self.look(page, "wix choose a site")
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("button", name="Allow & Install")).to_be_visible()
        self.look(page, "wix allow")
        page.get_by_role("button", name="Allow & Install").click()
        page.wait_for_url(f"{self.stack.app_url}/wizard/**")
        settled(page)

    def catalog_version(self) -> None:
        page = self.page
        expect(page.get_by_text("Catalog v3").first).to_be_visible()
        page.get_by_role("button", name="Continue").click()
        settled(page)

    def account(self) -> None:
        page = self.page
        expect(page.get_by_role("radio", name=re.compile("Acme Outdoor"))).to_be_checked()
        page.get_by_role("button", name="Continue").click()
        settled(page)

    def name_and_save(self) -> None:
        page = self.page
        page.get_by_label("Name").fill(CHANNEL)
        page.get_by_label("Logo").set_input_files(
            {"name": "logo.png", "mimeType": "image/png", "buffer": PNG}
        )
        page.get_by_role("button", name="Save").click()
        page.wait_for_url(f"{self.stack.app_url}/channels/*")
        expect(page.get_by_text("is connected to Wix")).to_be_visible()
        self.channel_url = urlsplit(page.url).path

    def delete_channel(self) -> None:
        page = self.page
        self.open("/channels/")
        page.get_by_role("link", name=CHANNEL).first.click()
        settled(page)
        page.get_by_role("button", name="Delete…").click()
        page.get_by_label(re.compile("Type the channel name")).fill(CHANNEL)
        page.get_by_role("button", name="Delete channel").click()
        expect(page.get_by_text(re.compile(rf"Channel {CHANNEL} deleted\."))).to_be_visible()

    def switcher(self, flow: str) -> Callable[[], None]:
        def switch() -> None:
            self.stack.switch_auth_flow(flow)
            self.open("/channels/")
            expect(self.page.get_by_role("heading", name="Channels")).to_be_visible()

        return switch
