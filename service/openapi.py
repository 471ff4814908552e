"""The OpenAPI 3 document of the service (tests check it against the real behaviour)."""
from __future__ import annotations

from typing import Any

from flask import Flask

__all__ = ["openapi_document"]


def _error_response(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _errors(*statuses: int) -> dict[str, Any]:
    text = {400: "Malformed JSON, wrong field type or unknown field", 401: "Missing or invalid API key",
            413: "Body over the size limit, or too many batch items", 415: "Unsupported Content-Type or charset",
            422: "Empty text, text over the limit, invalid UTF-8, value out of range", 503: "No model loaded"}
    return {str(s): _error_response(text[s]) for s in statuses}


def openapi_document(app: Flask) -> dict[str, Any]:
    max_chars = int(app.config["MAX_TEXT_CHARS"])
    max_items = int(app.config["MAX_BATCH_ITEMS"])
    evidence = {"type": "object", "required": ["text", "start", "end"], "properties": {
        "text": {"type": "string"}, "start": {"type": "integer", "minimum": 0}, "end": {"type": "integer", "minimum": 0}}}
    role_ref = {"type": "object", "required": ["id", "name", "confidence"], "properties": {
        "id": {"type": "string"}, "name": {"type": "string"}, "name_de": {"type": "string"},
        "confidence": {"type": "number", "minimum": 0, "maximum": 1}}}
    params = {"top_k": {"type": "integer", "minimum": 1, "maximum": 13, "default": 3},
              "min_confidence": {"type": "number", "minimum": 0, "maximum": 1, "default": 0}}
    schemas = {
        "Error": {"type": "object", "required": ["error"], "properties": {"error": {
            "type": "object", "required": ["code", "message"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}},
        "ClassifyRequest": {"type": "object", "required": ["text"], "additionalProperties": False, "properties": {
            "text": {"type": "string", "minLength": 1, "maxLength": max_chars,
                     "description": "The ad: plain text, Markdown or HTML"},
            "title": {"type": ["string", "null"], "maxLength": 1000}, **params}},
        "BatchRequest": {"type": "object", "required": ["items"], "additionalProperties": False, "properties": {
            "items": {"type": "array", "minItems": 1, "maxItems": max_items, "items": {
                "type": "object", "required": ["text"], "additionalProperties": False, "properties": {
                    "id": {"type": "string"}, "text": {"type": "string", "minLength": 1, "maxLength": max_chars},
                    "title": {"type": ["string", "null"]}}}}, **params}},
        "ClassifyResult": {"type": "object", "required": [
            "role", "role_candidates", "is_digital_communication", "seniority", "skills", "experience_years",
            "language", "warnings", "model"], "properties": {
            "role": {**role_ref, "properties": {**role_ref["properties"], "codes": {
                "type": ["object", "null"], "description": "null for `other`", "properties": {
                    "isco08": {"type": "string"}, "kldb2010": {"type": "string"}, "esco": {"type": "string"}}}}},
            "role_candidates": {"type": "array", "items": role_ref},
            "is_digital_communication": {"type": "boolean"},
            "communication_confidence": {"type": "number"},
            "seniority": {"type": "object", "required": ["id", "confidence"], "properties": {
                "id": {"type": "string", "enum": ["student", "entry", "professional", "senior", "lead"]},
                "confidence": {"type": "number"}, "cue": {"type": ["string", "null"]}}},
            "skills": {"type": "array", "description": "sorted by confidence, descending", "items": {
                "type": "object", "required": ["id", "name", "confidence", "evidence"], "properties": {
                    "id": {"type": "string"}, "name": {"type": "string"}, "confidence": {"type": "number"},
                    "evidence": {"type": "array", "items": evidence}}}},
            "experience_years": {"type": ["object", "null"], "properties": {
                "min": {"type": "integer"}, "max": {"type": ["integer", "null"]}, "evidence": evidence}},
            "language": {"type": "string", "enum": ["de", "en", "other"]},
            "title": {"type": ["string", "null"]},
            "warnings": {"type": "array", "items": {"type": "string"}},
            "model": {"type": "object", "properties": {"version": {"type": "string"},
                                                       "taxonomy_version": {"type": "string"}}}}},
    }
    json_result = {"application/json": {"schema": {"$ref": "#/components/schemas/ClassifyResult"}}}
    simple = {"200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}}}
    secured = [{"bearer": []}, {"apiKey": []}]
    return {
        "openapi": "3.1.0",
        "info": {"title": "jobclass", "version": "1.0.0",
                 "description": "Classifies German and English job ads into digital-communication roles, "
                                "seniority and skills, with evidence offsets into the ad's plain text."},
        "components": {"schemas": schemas, "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"},
            "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"}}},
        "security": secured,
        "paths": {
            "/classify": {"post": {
                "summary": "Classify one ad",
                "parameters": [{"name": "title", "in": "query", "schema": {"type": "string"},
                                "description": "with text/plain or text/html bodies"},
                               {"name": "top_k", "in": "query", "schema": params["top_k"]},
                               {"name": "min_confidence", "in": "query", "schema": params["min_confidence"]}],
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/ClassifyRequest"}},
                    "text/plain": {"schema": {"type": "string"}}, "text/html": {"schema": {"type": "string"}}}},
                "responses": {"200": {"description": "The classification", "content": json_result},
                              **_errors(400, 401, 413, 415, 422, 503)}}},
            "/classify/batch": {"post": {
                "summary": f"Classify up to {max_items} ads at once; bad items get an error in place",
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/BatchRequest"}}}},
                "responses": {"200": {"description": "Results in input order", "content": {"application/json": {
                    "schema": {"type": "object", "properties": {"results": {"type": "array", "items": {
                        "oneOf": [{"$ref": "#/components/schemas/ClassifyResult"},
                                  {"$ref": "#/components/schemas/Error"}]}}}}}}},
                    **_errors(400, 401, 413, 415, 422, 503)}}},
            "/health/live": {"get": {"summary": "Process is up", "security": [], "responses": simple}},
            "/health/ready": {"get": {"summary": "Model loaded", "security": [],
                                      "responses": {**simple, **_errors(503)}}},
            "/model": {"get": {"summary": "The model card", "responses": {**simple, **_errors(401, 503)}}},
            "/taxonomy": {"get": {"summary": "Role, seniority and skill ids, names, aliases",
                                  "responses": {**simple, **_errors(401, 503)}}},
            "/metrics": {"get": {"summary": "Prometheus metrics", "responses": {
                "200": {"description": "text format", "content": {"text/plain": {"schema": {"type": "string"}}}},
                **_errors(401)}}},
            "/openapi.json": {"get": {"summary": "This document", "responses": {**simple, **_errors(401)}}},
            "/admin/reload": {"post": {"summary": "Load the current artifact; the old model keeps serving on failure",
                                       "responses": {**simple, "409": _error_response("The new artifact was refused"),
                                                     **_errors(401)}}},
        },
    }
