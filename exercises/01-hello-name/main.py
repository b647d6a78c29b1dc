"""Bookmark Manager API.

Run it from this folder with:  uvicorn main:app --reload
Then open http://127.0.0.1:8000/docs to try every route in the browser.
"""

from fastapi import FastAPI

# `app` is what uvicorn runs: `uvicorn main:app` means "the object app in main.py".
app = FastAPI(title="Bookmark Manager")


@app.get("/")
def read_root():
    # FastAPI turns the returned dict into JSON for the client.
    return {"message": "Hello, world! The Bookmark Manager API is running."}


# Exercise: {name} is a path parameter, a part of the path that can be anything.
@app.get("/hello/{name}")
def say_hello(name: str):
    return {"message": f"Hello, {name}!"}
