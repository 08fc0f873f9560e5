"""The Responses API, written for the official SDK's ``AsyncOpenAI``: only the import differs.

Plain text, streamed events, a function-calling round trip and Structured Outputs
with a pydantic model (``pip install pydantic``), as OpenAI's guides write them. Against
the local server::

    python -m openai_async.testing --port 8000 &
    OPENAI_BASE_URL=http://127.0.0.1:8000/v1 OPENAI_API_KEY=sk-local python examples/responses.py
"""

import asyncio
import json

from pydantic import BaseModel

from openai_async import AsyncOpenAI  # was: from openai import AsyncOpenAI


def get_weather(latitude: float, longitude: float) -> float:
    return 14.5  # a weather service would be asked here


class CalendarEvent(BaseModel):
    name: str
    date: str
    participants: list[str]


async def main() -> None:
    async with AsyncOpenAI() as client:
        response = await client.responses.create(
            model="gpt-4.1",
            input="Tell me a three sentence bedtime story about a unicorn.",
        )
        print("plain:", response.output_text)

        stream = await client.responses.create(
            model="gpt-4.1",
            input=[{"role": "user", "content": "Say 'double bubble bath' ten times fast."}],
            stream=True,
        )
        print("streamed: ", end="")
        async for event in stream:
            if event.type == "response.output_text.delta":
                print(event.delta, end="", flush=True)
            elif event.type == "response.completed":
                print(f" [{event.response.status}]")

        tools = [
            {
                "type": "function",
                "name": "get_weather",
                "description": "Get current temperature for provided coordinates in celsius.",
                "parameters": {
                    "type": "object",
                    "properties": {
                        "latitude": {"type": "number"},
                        "longitude": {"type": "number"},
                    },
                    "required": ["latitude", "longitude"],
                    "additionalProperties": False,
                },
                "strict": True,
            }
        ]
        input_messages = [{"role": "user", "content": "What's the weather like in Paris today?"}]
        response = await client.responses.create(model="gpt-4.1", input=input_messages, tools=tools)
        tool_call = response.output[0]
        args = json.loads(tool_call.arguments)
        result = get_weather(args["latitude"], args["longitude"])
        input_messages.append(tool_call)
        input_messages.append(
            {"type": "function_call_output", "call_id": tool_call.call_id, "output": str(result)}
        )
        response_2 = await client.responses.create(
            model="gpt-4.1", input=input_messages, tools=tools
        )
        print("function call:", tool_call.name, "->", response_2.output_text)

        parsed = await client.responses.parse(
            model="gpt-4o-2024-08-06",
            input=[
                {"role": "system", "content": "Extract the event information."},
                {"role": "user", "content": "Alice and Bob are going to a science fair on Friday."},
            ],
            text_format=CalendarEvent,
        )
        event = parsed.output_parsed
        print("parsed:", type(event).__name__, event.participants)

        follow_up = await client.responses.create(
            model="gpt-4.1", previous_response_id=response_2.id, input="Thanks!"
        )
        stored = await client.responses.retrieve(follow_up.id)
        print("stored:", stored.output_text)
        await client.responses.delete(follow_up.id)


if __name__ == "__main__":
    asyncio.run(main())
