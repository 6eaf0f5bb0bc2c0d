"""Checks that the official Python SDK (`docspace-api-sdk` on PyPI) parses the
simulator's answers with its own models. Not part of `cargo test`; see README.md."""

import importlib
import inspect
import pkgutil
import sys

from docspace_api_sdk import ApiClient, Configuration
from docspace_api_sdk.api.files.folders_api import FoldersApi
from docspace_api_sdk.api.rooms.rooms_api import RoomsApi
from docspace_api_sdk.models.folder_link_request import FolderLinkRequest
from docspace_api_sdk.models.room_link_request import RoomLinkRequest


def main(base: str) -> None:
    config = Configuration(host=base, access_token="sk-test")
    # Some routes are [AllowAnonymous] and the SDK sends no credentials on them; a
    # real caller (and the simulator) needs the token on every request.
    with ApiClient(config, header_name="Authorization", header_value="Bearer sk-test") as client:
        folders, rooms = FoldersApi(client), RoomsApi(client)

        links = folders.get_folder_links(101)
        assert links.response and links.response[0].shared_link.title == "Press kit", links
        assert links.response[0].subject_type == 4
        print("folder links:", len(links.response), "first expires", links.response[0].shared_link.expiration_date)

        created = folders.get_folder_primary_external_link(102)
        print("get-or-create:", created.response.shared_link.id, created.response.access)

        put = folders.set_folder_primary_external_link(
            102,
            FolderLinkRequest(link_id=str(created.response.shared_link.id), access=5, title="SDK", deny_download=True),
        )
        assert put.response.shared_link.title == "SDK" and put.response.shared_link.deny_download
        print("put:", put.response.shared_link.title, put.response.access)

        posted = folders.create_folder_primary_external_link(103, FolderLinkRequest(access=2, title="Posted"))
        print("post:", posted.response.shared_link.title)

        revoked = folders.set_folder_primary_external_link(
            103, FolderLinkRequest(link_id=str(posted.response.shared_link.id), access=0)
        )
        assert revoked.response is None and revoked.count == 0
        print("revoke: no response, count", revoked.count)

        info = folders.get_folder_info(101)
        assert info.response.id == 101 and info.response.parent_id == 100
        print("folder:", info.response.title, "root type", info.response.root_folder_type)

        content = folders.get_folder_by_folder_id(100, filter_value="press", with_sub_folders=False, count=100, start_index=0)
        assert content.response.total == 1, content.response.total
        print("subfolders:", [f.title for f in content.response.folders])

        my = folders.get_my_folder()
        print("@my:", [f.title for f in my.response.folders])

        listing = rooms.get_rooms_folder(filter_value="mark", count=100, start_index=0)
        assert listing.response.total == 1
        # The SDK types listed folders as FileEntryBaseDto: ids and roomType are dropped.
        print("rooms:", [(f.title, f.root_folder_type) for f in listing.response.folders])

        room_links = rooms.get_room_links(100, type=1)
        print("room links:", len(room_links.response))

        added = rooms.set_room_link(100, RoomLinkRequest(access=2, link_type=1, title="Guests"))
        print("room link:", added.response.shared_link.title, added.response.subject_type)

        primary = rooms.get_rooms_primary_external_link(200)
        print("public room primary:", primary.response.shared_link.primary)

        # Additional links: seeded ones listed after the primary one, a new one by PUT.
        listed = folders.get_folder_links(101).response
        assert [l.subject_type for l in listed] == [4, 1], [l.subject_type for l in listed]
        assert listed[1].shared_link.title == "Agency" and not listed[1].shared_link.primary
        extra = folders.set_folder_primary_external_link(
            101, FolderLinkRequest(access=6, title="Reviewers", primary=False)
        )
        assert extra.response.subject_type == 1 and not extra.response.shared_link.primary
        assert len(folders.get_folder_links(101).response) == 3
        print("additional links:", [l.shared_link.title for l in folders.get_folder_links(101).response])

        version_route(client)

    # A viewer sees the folder shared and gets an empty list of its links.
    viewer = Configuration(host=base, access_token="sk-viewer")
    with ApiClient(viewer, header_name="Authorization", header_value="Bearer sk-viewer") as client:
        folders = FoldersApi(client)
        seen = folders.get_folder_links(101)
        assert seen.response == [], seen.response
        assert folders.get_folder_info(101).response.shared is True
        print("viewer: no links, folder shared")
    print("OK: the SDK parsed every answer")


def version_route(client: ApiClient) -> None:
    """`GET api/2.0/settings/version/build` through whichever SDK method serves it."""
    import docspace_api_sdk.api as api_pkg

    for info in pkgutil.walk_packages(api_pkg.__path__, api_pkg.__name__ + "."):
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            for name in dir(cls):
                if "build" in name and "version" in name and not name.endswith(
                    ("_with_http_info", "_without_preload_content", "_serialize")
                ):
                    answer = getattr(cls(client), name)()
                    version = answer.response.doc_space
                    assert version, answer
                    print("version:", version, "via", cls.__name__ + "." + name)
                    return
    print("version route: no SDK method found: skipped")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080")
