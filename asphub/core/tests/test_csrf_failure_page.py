import pytest
from django.test import Client


@pytest.mark.django_db
def test_a_form_without_its_security_token_gets_the_sites_own_page(latvia):
    response = Client(enforce_csrf_checks=True).post("/")
    assert response.status_code == 403
    body = response.content.decode()
    assert '<html lang="lv"' in body
    assert 'class="site-footer"' in body
    assert "DEBUG" not in body
