"""My Bookmark Manager API.

Start it from this folder with:  uvicorn main:app --reload
and try it at http://127.0.0.1:8000/docs
"""

from fastapi import FastAPI

# uvicorn looks for this name: `uvicorn main:app` = the object `app` in main.py.
app = FastAPI(title="My Bookmarks")


# `async def` works as well as `def`: FastAPI awaits it on its event loop.
# Nothing in here waits for anything, so it never holds other requests up.
@app.get("/")
async def home():
    # The dict I return is sent to the client as a JSON object.
    return {"message": "Hello! My bookmark API is up and running."}
