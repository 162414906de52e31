"""Helpers of the cases API tests (the fixtures `categories`, `routing_rules`, `personas`
come from linli.cases.testing and linli.core.testing).

Points: A1 inside 开元街道 / 坑内社区 / 第一网格, B1 inside 中华街道 / 文安社区 / 第一网格,
NOWHERE outside every grid (the case is `unlocated`).
"""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.test import APIClient

from linli.accounts.actions import do_issue_token

A1 = {"lat": 24.471, "lng": 118.101}
A2 = {"lat": 24.471, "lng": 118.103}
B1 = {"lat": 24.456, "lng": 118.081}
NOWHERE = {"lat": 24.9, "lng": 118.9}

CASES = "/api/cases/"


def case_url(number, suffix=""):
    return f"{CASES}{number}/{suffix}"


def client_for(user, token=False):
    """An API client signed in as `user` (with a real bearer token if asked), or anonymous."""
    client = APIClient()
    if user is not None:
        if token:
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {do_issue_token(user)}")
        else:
            client.force_authenticate(user)
    return client


def jpeg(name="photo.jpg", size=(1024, 768), color=(200, 80, 40)):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG", quality=80)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def not_an_image(name="photo.jpg"):
    return SimpleUploadedFile(name, b"this is a text file, not a photo\n" * 20, content_type="image/jpeg")


def report_body(point=A1, category="manhole", **extra):
    return {"category": category, "description": "井盖松动，有安全隐患", **point, **extra}


def file_case(user, point=A1, photos=0, **extra):
    """File a case through the API; returns the response body (asserting 201)."""
    body = report_body(point, **extra)
    if photos:
        body["photos"] = [jpeg(f"p{i}.jpg") for i in range(photos)]
        response = client_for(user).post(CASES, body, format="multipart")
    else:
        response = client_for(user).post(CASES, body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def act(user, number, action, fmt="json", **params):
    return client_for(user).post(case_url(number, "actions/"), {"action": action, **params}, format=fmt)


def ok(response, status=200):
    assert response.status_code == status, (response.status_code, response.json())
    return response.json()
