import pytest

from accounts_center.domain.errors import InvalidInput
from accounts_center.domain.uris import check_app_url


@pytest.mark.parametrize("url", ["https://chat.example/cb", "http://127.0.0.1:9001/cb",
                                 "http://localhost/cb", "http://[::1]:8080/x",
                                 "https://chat.example/cb?app=1"])
def test_https_urls_and_loopback_http_are_accepted(url):
    assert check_app_url(url, field="redirect_uri") == url


@pytest.mark.parametrize("url", ["", "chat.example/cb", "ftp://chat.example/cb",
                                 "http://chat.example/cb", "https://user:pw@chat.example/cb",
                                 "https://chat.example/cb#frag", "https://chat.example/cb#",
                                 "https:///cb", "https://chat.example:99999/cb",
                                 "https://chat.example/c b", "javascript:alert(1)",
                                 "https://" + "a" * 2000 + ".example/"])
def test_unsafe_or_malformed_urls_are_refused_naming_the_field(url):
    with pytest.raises(InvalidInput) as refused:
        check_app_url(url, field="webhook_url")
    assert refused.value.field == "webhook_url"
