"""扫码核销 in a real Chromium whose camera really sees the resident's QR code: Chromium's fake
camera plays a YUV4MPEG2 file (--use-file-for-fake-video-capture) that the test writes from a
screenshot of the QR code on the resident's phone. A resident redeems a reward, staff open the
fulfil page on a phone, press 扫码核销, the camera reads the code and the reward is handed over;
then a QR code that is not a pickup code gets the server's answer, and a second code is handed
over without reopening the camera. Screenshots go to test-output/<test name>/NN-step.png.

The fake camera keeps its file open and rereads it in a loop: the test shows it the next
picture by overwriting the file in place (same size), never by replacing it.
"""

import io

import pytest
import segno
from django.utils.timezone import localtime
from PIL import Image

from linli.cases.tests.test_browser_flow import PHONE, Session, Shots
from linli.points.actions import balance_of
from linli.points.models import Redemption

from .conftest import give, make_reward

pytestmark = [pytest.mark.browser]

WIDTH, HEIGHT = 640, 480  # even sides: 4:2:0 chroma is half of each
FRAMES = 3


def y4m(picture):
    """`picture` centred on white in a 640×480 YUV4MPEG2 (4:2:0) clip of a few frames."""
    frame = Image.new("RGB", (WIDTH, HEIGHT), "white")
    picture = picture.convert("RGB")
    side = int(HEIGHT * 0.8)
    if max(picture.size) > side:
        picture.thumbnail((side, side))
    elif max(picture.size) < side:  # small pictures enlarged with hard edges, as a sharp screen would look
        factor = side // max(picture.size)
        picture = picture.resize((picture.width * factor, picture.height * factor), Image.NEAREST)
    frame.paste(picture, ((WIDTH - picture.width) // 2, (HEIGHT - picture.height) // 2))
    luma, blue, red = frame.convert("YCbCr").split()
    half = (WIDTH // 2, HEIGHT // 2)
    planes = luma.tobytes() + blue.resize(half).tobytes() + red.resize(half).tobytes()
    header = f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode()
    return header + (b"FRAME\n" + planes) * FRAMES


def qr_picture(text):
    """A QR code drawn by segno, as a Pillow image (through PNG)."""
    png = io.BytesIO()
    segno.make_qr(text).save(png, kind="png", scale=8, border=4)
    png.seek(0)
    return Image.open(png)


def show_camera(path, picture):
    """Put `picture` in front of the fake camera: overwrite the open file in place."""
    data = y4m(picture)
    mode = "r+b" if path.exists() else "wb"
    with open(path, mode) as file:
        file.write(data)


@pytest.fixture
def camera_file(tmp_path):
    return tmp_path / "camera.y4m"


@pytest.fixture
def browser_args(camera_file):
    show_camera(camera_file, Image.new("RGB", (8, 8), "white"))  # an empty counter until a phone is shown
    return [
        "--use-fake-ui-for-media-stream",  # the camera permission granted without asking
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={camera_file}",
    ]


@pytest.fixture
def scene(transactional_db, tree, personas):
    reward = make_reward(tree.community_a, creator=personas.community_staff, name="社区理发券", cost=15)
    give(personas.resident, 40, "e1")
    return reward


def test_staff_scan_the_residents_qr_code_to_hand_over(live_server, browser, output_dir, camera_file, personas,
                                                        scene):
    reward = scene
    shot, url = Shots(output_dir), live_server.url

    # 1. The resident redeems on the phone and gets the pickup code as a QR code.
    phone = Session(browser, url, **PHONE)
    page = phone.page
    phone.log_in_with_password(personas.resident.phone)
    page.goto(f"{url}/points/shop/{reward.pk}/redeem/")
    page.click('[data-testid="redeem-form"] button[type="submit"]')
    qr = page.locator('[data-testid="redemption"][data-status="pending"] [data-testid="code-qr"]')
    qr.wait_for()
    first = Redemption.objects.get()
    assert qr.get_attribute("data-code") == first.code
    box = qr.bounding_box()
    assert box["width"] >= 240 and abs(box["width"] - box["height"]) < 2  # big and square on a phone
    assert page.inner_text('[data-testid="code"]').replace(" ", "") == first.code
    shot(page, "resident-pickup-qr", full_page=False)
    resident_screen = Image.open(io.BytesIO(qr.screenshot()))

    # 2. Staff open the fulfil page on their phone and press 扫码核销; the camera sees the resident's screen.
    counter = Session(browser, url, **PHONE)
    staff = counter.page
    counter.log_in_with_password(personas.community_staff.phone)
    counter.go("points:fulfil")
    staff.wait_for_selector('[data-testid="scanner"][data-state="idle"]')
    assert staff.evaluate("window.isSecureContext")
    shot(staff, "staff-fulfil-page")
    show_camera(camera_file, resident_screen)
    staff.click('[data-testid="scan-start"]')
    staff.wait_for_selector('[data-testid="fulfilled"]', timeout=15_000)
    shot(staff, "staff-scanned-handed-over", full_page=False)

    first.refresh_from_db()
    assert first.status == "fulfilled" and first.fulfilled_by == personas.community_staff
    assert staff.get_attribute('[data-testid="fulfilled"]', "data-code") == first.code
    assert staff.inner_text('[data-testid="fulfilled-reward"]') == "社区理发券"
    assert staff.inner_text('[data-testid="fulfilled-person"]') == "居*甲 · 139****0001"
    shown_at = staff.inner_text('[data-testid="fulfilled-at"]')
    assert shown_at == localtime(first.fulfilled_at).strftime("%Y-%m-%d %H:%M:%S")
    assert "社区理发券" in staff.inner_text('[data-testid="scan-status"]')

    # The code stays in front of the camera: not read again as "already used", the camera stays on.
    staff.wait_for_timeout(1500)
    assert staff.locator('[data-testid="fulfil-error"]').count() == 0
    assert staff.get_attribute('[data-testid="scanner"]', "data-state") == "scanning"

    # 3. A QR code that is not a pickup code: the server's answer, shown under the camera.
    show_camera(camera_file, qr_picture("https://example.org/not-a-pickup-code"))
    staff.wait_for_selector('[data-testid="fulfil-error"]', timeout=15_000)
    assert staff.inner_text('[data-testid="fulfil-error"]') == "您管理的奖品中没有这个兑换码。"
    assert staff.inner_text('[data-testid="scan-status"]') == "您管理的奖品中没有这个兑换码。"
    shot(staff, "staff-scanned-not-a-code", full_page=False)

    # 4. The next resident's code, the camera still running.
    page.goto(f"{url}/points/shop/{reward.pk}/redeem/")
    page.click('[data-testid="redeem-form"] button[type="submit"]')
    second = Redemption.objects.exclude(pk=first.pk).get()
    qr = page.locator(f'[data-testid="code-qr"][data-code="{second.code}"]')
    qr.wait_for()
    show_camera(camera_file, Image.open(io.BytesIO(qr.screenshot())))
    staff.wait_for_selector(f'[data-testid="fulfilled"][data-code="{second.code}"]', timeout=15_000)
    second.refresh_from_db()
    assert second.status == "fulfilled" and balance_of(personas.resident) == 10
    shot(staff, "staff-scanned-next", full_page=False)

    # The resident sees both picked up.
    page.goto(f"{url}/points/redemptions/")
    assert page.locator('[data-testid="redemption"][data-status="fulfilled"]').count() == 2
    assert page.locator('[data-testid="code-qr"]').count() == 0
    shot(page, "resident-picked-up")

    staff.click('[data-testid="scan-stop"]')
    assert staff.get_attribute('[data-testid="scanner"]', "data-state") == "idle"
    counter.close()
    phone.close()


def test_without_a_camera_the_page_says_so_and_keeps_the_code_box(live_server, browser, output_dir, personas,
                                                                   transactional_db):
    """No camera (a desktop) or no permission: the page says which, and typing still works.
    (getUserMedia answers as a browser does; the fake camera of this module would always open.)"""
    shot = Shots(output_dir)
    counter = Session(browser, live_server.url, **PHONE)
    staff = counter.page
    counter.log_in_with_password(personas.community_staff.phone)
    counter.go("points:fulfil")
    staff.evaluate("""() => { navigator.mediaDevices.getUserMedia = () =>
        Promise.reject(new DOMException("Requested device not found", "NotFoundError")); }""")
    staff.click('[data-testid="scan-start"]')
    staff.wait_for_selector('[data-testid="scanner"][data-state="error"]')
    scanner = staff.locator('[data-testid="scanner"]')
    assert staff.inner_text('[data-testid="scan-status"]') == scanner.get_attribute("data-msg-no-camera")
    assert staff.is_visible('[data-testid="fulfil-form"] [name="code"]')
    shot(staff, "staff-no-camera", full_page=False)
    staff.evaluate("""() => { navigator.mediaDevices.getUserMedia = () =>
        Promise.reject(new DOMException("Permission denied", "NotAllowedError")); }""")
    staff.click('[data-testid="scan-start"]')
    staff.wait_for_function("""document.querySelector('[data-testid="scan-status"]').textContent
        === document.querySelector('[data-testid="scanner"]').dataset.msgDenied""")
    shot(staff, "staff-no-camera-permission", full_page=False)
    counter.close()
