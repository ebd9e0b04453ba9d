import pytest

from asphub.search.services import Document, index_documents

KIND = "test"


@pytest.fixture
def indexed(db):
    """Index documents of the kind "test": `indexed(Document(...), ...)`."""

    def index(*documents: Document, kind: str = KIND) -> None:
        index_documents(kind, documents)

    return index
