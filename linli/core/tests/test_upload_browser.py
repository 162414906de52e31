"""A phone sends a 5 MB video through the resumable upload widget (the pinned tus-js-client and
core's tus endpoints) while the network drops one piece: the client asks how much arrived, goes
on, and the server ends with the whole file. The widget first refuses a video that is too small,
read in the browser before anything is sent. Screenshots go to test-output/<test name>/."""

import pytest
from django.template.loader import render_to_string

from linli.cases.tests.test_browser_flow import PHONE, Session, Shots
from linli.core import uploads
from linli.core.media import VideoRule
from linli.core.models import Upload
from linli.core.testing import make_person
from linli.core.tests.test_uploads import phone_video  # noqa: F401 — the fixture

pytestmark = [pytest.mark.browser]

RULE = VideoRule(max_bytes=64 * 1024 * 1024, min_width=1280, min_height=720, min_seconds=3)


@pytest.fixture
def small_video(tmp_path):
    import subprocess

    path = tmp_path / "small.mp4"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=s=640x360:r=25", "-t", "4",
                    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path)], check=True,
                   timeout=120)
    return path


def test_a_video_survives_a_dropped_piece(live_server, browser, output_dir, transactional_db, settings, tmp_path,
                                          phone_video, small_video):  # noqa: F811
    settings.UPLOADS_DIR = tmp_path / "uploads"
    uploads.register_purpose("test.video", max_bytes=RULE.max_bytes)
    person = make_person("13900001301", "投稿人")
    video = tmp_path / "story.mp4"
    video.write_bytes(phone_video)
    shot = Shots(output_dir)
    phone = Session(browser, live_server.url, **PHONE)
    page = phone.page
    try:
        phone.log_in_with_password(person.phone)
        widget = render_to_string("core/_resumable_upload.html", {
            "purpose": "test.video", "name": "video", "rule": RULE, "label": "展示视频（不少于3分钟）"})
        markup = widget.split("<script")[0]
        page.evaluate("html => { const box = document.createElement('div'); box.className = 'container py-3';"
                      " box.innerHTML = html; document.querySelector('main').prepend(box); }", markup)
        page.add_script_tag(url="/static/tus/tus.min.js")
        page.add_script_tag(url="/static/js/resumable_upload.js")

        page.set_input_files('[data-resumable-upload] input[type=file]', str(small_video))
        page.wait_for_selector('[data-resumable-upload][data-state="refused"]')
        assert "640×360" in page.inner_text("[data-upload-status]")
        assert not Upload.objects.exists()  # nothing was sent
        shot(page, "too-small-refused")

        patches = []

        def drop_the_second_piece(route):
            if route.request.method == "PATCH":
                patches.append(route.request.headers.get("upload-offset"))
                if len(patches) == 2:
                    return route.abort("connectionreset")
            return route.continue_()

        page.route("**/api/uploads/**", drop_the_second_piece)
        page.set_input_files('[data-resumable-upload] input[type=file]', str(video))
        page.wait_for_selector('[data-resumable-upload][data-state="done"]', timeout=60_000)
        shot(page, "uploaded")
        upload = Upload.objects.get()
        assert page.input_value('[data-resumable-upload] input[name="video"]') == str(upload.pk)
        assert upload.completed_at and uploads.path_of(upload).read_bytes() == phone_video
        # The dropped piece was sent again from the offset the server reported.
        assert patches[1] == patches[2] and len(patches) == len(set(patches)) + 1
    finally:
        phone.close()
        uploads._PURPOSES.pop("test.video", None)
