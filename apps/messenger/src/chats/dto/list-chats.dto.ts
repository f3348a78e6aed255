/** `chat:list` payload: nothing yet (pagination comes when lists grow long). */
export class ListChatsDto {}
